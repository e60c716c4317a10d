{#
  Custom schemas are used as written (raw, staging, marts, audit), not prefixed with the target
  schema. On the PostgreSQL target a run builds into working schemas (var schema_suffix,
  "__work"), which its publish renames into place (tthc/warehouse/postgres.py).
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name | trim if custom_schema_name is not none else target.schema) ~ var('schema_suffix', '') }}
{%- endmacro %}
