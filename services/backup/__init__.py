"""Backup and restore of a whole hub: the catalog database, the songs bucket's manifests and
blobs, and the settings files that matter, in a folder that later backups add to."""
