#!/bin/sh
# Secrets from files: for every NAME_FILE of Meldkamer's own settings (Docker and
# Kubernetes secrets are files), export NAME with the file's content, then run the
# command. Only Meldkamer's prefixes: SSL_CERT_FILE and the like keep their meaning.
# A NAME set directly wins; an unreadable file stops the start with a clear message.
set -eu
prefixes='^(MELDKAMER|DATABASE_URL|REDIS_URL|SMTP|SMS|MAIL|TELEGRAM|WHATSAPP|CONSOLE)[A-Z0-9_]*_FILE='
for pair in $(env | grep -oE "$prefixes" || true); do
  file_var=${pair%=}
  name=${file_var%_FILE}
  eval "path=\${$file_var}"
  eval "already=\${$name:-}"
  if [ -n "$already" ]; then
    continue
  fi
  if [ ! -r "$path" ]; then
    echo "meldkamer: $file_var wijst naar $path, dat niet te lezen is" >&2
    exit 1
  fi
  value=$(cat "$path")
  export "$name=$value"
done
exec "$@"
