{#
  The id of the tthc run that built a mart (the flow sets TTHC_RUN_ID for the dbt build). Every
  mart carries it, so a reader can check that one query sees one run: the published file is
  replaced whole, never table by table.

  Read only when executing: a value read while parsing would be recorded in the manifest, and
  a new value each run would make dbt re-parse the project every time (a `--vars` value does
  the same for the whole project).
#}
{% macro run_id() -%}
    {%- if execute -%}
    cast('{{ env_var("TTHC_RUN_ID", "manual") }}' as varchar)
    {%- else -%}
    cast(null as varchar)
    {%- endif -%}
{%- endmacro %}
