{{- define "x" }}y{{ end -}}
