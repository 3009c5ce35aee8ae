#!/usr/bin/env bash
# Back up Meldkamer: the PostgreSQL database (pg_dump, custom format: compressed, any
# table restorable on its own), the photo folder and the outage spool (meldingen that
# are not in the database yet), with a SHA-256 list to check them before a restore.
#
# Usage: deploy/backup/backup.sh DEST_DIR
#   DATABASE_URL          postgresql://user:password@host:5432/meldkamer (required)
#   MELDKAMER_UPLOAD_DIR  the photo folder (default var/uploads)
#   MELDKAMER_SPOOL_DIR   the spool folder (default var/spool)
# Writes DEST_DIR/meldkamer-<UTC time>.dump, fotos-<time>.tar.gz, spool-<time>.tar.gz and
# SHA256SUMS-<time>; prints the time stamp. Run it from cron or a systemd timer
# (deploy/systemd/meldkamer-backup.*); keep copies off the machine.
set -euo pipefail
dest=${1:?usage: deploy/backup/backup.sh DEST_DIR}
url=${DATABASE_URL:?DATABASE_URL is not set}
# SQLAlchemy's driver suffix is no libpq URL: postgresql+psycopg2:// -> postgresql://
url=${url/postgresql+psycopg2:\/\//postgresql://}
case "$url" in
  postgresql://* | postgres://*) ;;
  *) echo "backup: DATABASE_URL is no PostgreSQL URL (SQLite: copy the file while nothing runs)" >&2; exit 2 ;;
esac
uploads=${MELDKAMER_UPLOAD_DIR:-var/uploads}
spool=${MELDKAMER_SPOOL_DIR:-var/spool}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
umask 077
mkdir -p "$dest"

# One consistent snapshot of the database, taken while everything keeps running.
pg_dump --format=custom --no-owner --no-privileges --file "$dest/meldkamer-$stamp.dump" "$url"
# Photos are written once and never changed, so copying them after the dump loses
# none the dump refers to (a photo newer than the dump is harmless).
for pair in "fotos:$uploads" "spool:$spool"; do
  name=${pair%%:*} folder=${pair#*:}
  if [ -d "$folder" ]; then
    tar -C "$folder" -czf "$dest/$name-$stamp.tar.gz" .
  else
    tar -czf "$dest/$name-$stamp.tar.gz" --files-from /dev/null
  fi
done
(cd "$dest" && sha256sum "meldkamer-$stamp.dump" "fotos-$stamp.tar.gz" "spool-$stamp.tar.gz" > "SHA256SUMS-$stamp")
echo "$stamp"
