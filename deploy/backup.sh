#!/bin/sh
# Dump the hub's PostgreSQL database (OCPIHUB_DATABASE_URL) into OCPIHUB_BACKUP_DIR as a
# custom-format archive, keep the newest OCPIHUB_BACKUP_KEEP (default 14). Restore:
#   pg_restore --clean --if-exists --no-owner -d DATABASE FILE      (see docs/deployment.md)
set -eu
: "${OCPIHUB_DATABASE_URL:?set OCPIHUB_DATABASE_URL}"
dir="${OCPIHUB_BACKUP_DIR:-/var/backups/ocpihub}"
keep="${OCPIHUB_BACKUP_KEEP:-14}"
case "$OCPIHUB_DATABASE_URL" in
    postgresql*) ;;
    *) echo "backup.sh: PostgreSQL only (SQLite: sqlite3 FILE \".backup COPY\")" >&2; exit 2 ;;
esac
# SQLAlchemy's driver suffix means nothing to libpq
url="$(printf '%s' "$OCPIHUB_DATABASE_URL" | sed 's#^postgresql+[a-z0-9]*://#postgresql://#')"
mkdir -p "$dir"
file="$dir/ocpihub-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --file="$file.partial" "$url"
mv "$file.partial" "$file"
echo "backup.sh: wrote $file"
ls -1t "$dir"/ocpihub-*.dump | tail -n +"$((keep + 1))" | while read -r old; do rm -f -- "$old"; done
