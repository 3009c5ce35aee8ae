{{/* Names shared by the templates. */}}
{{- define "meldkamer.fullname" -}}
{{ .Release.Name }}-meldkamer
{{- end -}}
