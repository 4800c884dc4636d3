{#-
  Helpers shared by every template of the chart. Import them with
    {% import "_helpers.tpl" as h %}
  Macros read the render context (values, release, chart, env) directly:
  nothing needs to be passed in.
-#}

{# The chart's name, or values.nameOverride. #}
{% macro name() -%}
{{ values.nameOverride | default(chart.name) | trunc(63) | trimsuffix("-") }}
{%- endmacro %}

{# The resource name: the release name, suffixed with the chart's name unless it already contains it. #}
{% macro fullname() -%}
{% set n = values.nameOverride | default(chart.name) %}
{% if n in release.name %}
{{ release.name | trunc(63) | trimsuffix("-") }}
{%- else %}
{{ (release.name ~ "-" ~ n) | trunc(63) | trimsuffix("-") }}
{%- endif %}
{%- endmacro %}

{# Labels that select the pods: they never change between versions. #}
{% macro selectorLabels() -%}
app.kubernetes.io/name: {{ name() }}
app.kubernetes.io/instance: {{ release.name }}
{%- endmacro %}

{# Every label of every resource. #}
{% macro labels() -%}
helm.sh/chart: {{ chart.name }}-{{ chart.version | replace("+", "_") }}
{{ selectorLabels() }}
app.kubernetes.io/version: {{ chart.appVersion | quote }}
app.kubernetes.io/managed-by: {{ release.service }}
{%- if env.name %}

app.kubernetes.io/environment: {{ env.name }}
{%- endif %}
{%- endmacro %}
