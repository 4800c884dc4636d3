{{- define "name" -}}top-{{ .Chart.Name }}{{- end -}}
