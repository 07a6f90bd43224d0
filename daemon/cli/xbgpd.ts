#!/usr/bin/env node
// xbgpd: the BGP speaker daemon. Placeholder entry point until the session layer lands.
process.stderr.write('xbgpd: the daemon is not available yet\n');
process.exitCode = 1;
