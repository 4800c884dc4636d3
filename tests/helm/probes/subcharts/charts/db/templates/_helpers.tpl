{{- define "name" -}}db-{{ .Chart.Name }}{{- end -}}
