#!/usr/bin/env bash
# Restore a backup made by deploy/backup/backup.sh into an EMPTY database and folders.
#
# Usage: deploy/backup/restore.sh BACKUP_DIR STAMP
#   DATABASE_URL, MELDKAMER_UPLOAD_DIR, MELDKAMER_SPOOL_DIR as for backup.sh: the target.
# Checks the SHA-256 list first; refuses a database that already has tables (restore
# into a new one, then switch DATABASE_URL) so that nothing is overwritten by mistake.
# Stop the worker and the action server first, or restore into a fresh database.
set -euo pipefail
dir=${1:?usage: deploy/backup/restore.sh BACKUP_DIR STAMP}
stamp=${2:?usage: deploy/backup/restore.sh BACKUP_DIR STAMP}
url=${DATABASE_URL:?DATABASE_URL is not set}
url=${url/postgresql+psycopg2:\/\//postgresql://}
uploads=${MELDKAMER_UPLOAD_DIR:-var/uploads}
spool=${MELDKAMER_SPOOL_DIR:-var/spool}

(cd "$dir" && sha256sum --check --quiet "SHA256SUMS-$stamp")
tables=$(psql "$url" -Atc "select count(*) from information_schema.tables where table_schema = 'public'")
if [ "$tables" != "0" ]; then
  echo "restore: the target database already has $tables tables; restore into an empty one" >&2
  exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --dbname "$url" "$dir/meldkamer-$stamp.dump"
for pair in "fotos:$uploads" "spool:$spool"; do
  name=${pair%%:*} folder=${pair#*:}
  mkdir -p "$folder"
  tar -C "$folder" -xzf "$dir/$name-$stamp.tar.gz"
done
echo "restored $stamp: $(psql "$url" -Atc 'select count(*) from tickets') tickets"
