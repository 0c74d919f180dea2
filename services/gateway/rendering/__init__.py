"""What the gateway's pages show, computed apart from the route handlers: page templates'
shared context and filters, the song page's graphs, and the chart preview's SVG highway."""
