"""The persistence package: the one PostgreSQL database every service shares. Not a service: it
holds the tables (`tables`), engines and sessions (`db`), the Alembic migrations
(`migrations/`), the reads several services make, and, for each table, the one module that
writes it. Services call these writer functions; no other module writes a table (a unit test
reads the code to check it).

Table → its one writer (and who calls it):

    songs, song_tombstones   shared.persistence.songs           catalog consumer
    song_charts              shared.persistence.song_charts     (through songs)
    song_versions            shared.persistence.song_versions   catalog consumer, gateway
                                                                (an admin's link and split)
    uploads, upload_songs    shared.persistence.uploads         gateway intake and sweep,
                                                                ingest reconciler, bucket drops
                                                                and retention, catalog progress
                                                                consumer, `chhub restore`
    custom_content           shared.persistence.custom_content  catalog custom consumer,
                                                                ingest retention
    rig_selections           shared.persistence.rig_selections  sync rigs consumer
    api_tokens               shared.persistence.api_tokens      gateway, `chhub token`
    users                    shared.persistence.users           gateway, `chhub user`
    setlists, setlist_songs  shared.persistence.setlists        gateway setlist routes
    outbox, outbox_positions shared.outbox                      each service's relay
    search_words             (a trigger on songs, migration 0009)

Reads: `queries` (songs and uploads), `upload_status` (one upload's songs counted and a page of
them), `library` and `library_query` (library search),
`version_reads` (a song's versions and the rigs that get each),
`library_totals`, `upload_activity`, `stored_references` (what the blob collector must keep),
`replay`, `backup_rows`; `scan_columns` maps a song's scan to its searchable columns. A read
gives back frozen read models (`read_model.ReadModel`) defined beside it.
"""
