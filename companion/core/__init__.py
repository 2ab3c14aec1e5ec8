"""Infrastructure the clinical modules stand on: settings, the database, versioned records,
encryption, time, errors, the server's start-up safety check and backups. Nothing here knows
about clients."""
