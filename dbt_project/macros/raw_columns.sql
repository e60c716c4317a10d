{#
  The columns of a raw dataset with a given role, read from the sources YAML
  (models/staging/_raw__sources.yml), the one place where they are written down.
  Empty while dbt parses; filled when it compiles and runs.
#}
{% macro raw_columns(dataset, role) -%}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- set node = graph.sources['source.tthc.raw.' ~ dataset] -%}
        {%- for column in node.columns.values() -%}
            {%- set meta = column.meta or column.get('config', {}).get('meta', {}) -%}
            {%- if meta.get('role') == role -%}{%- do names.append(column.name) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(names) }}
{%- endmacro %}

{# `relation.column,` for each of `columns`: the figures of a dataset, within a select list. #}
{% macro qualified_columns(relation, columns) -%}
    {%- for c in columns %}
        {{ relation }}.{{ c }},
    {%- endfor %}
{%- endmacro %}

{# The raw datasets of a kind (form, reported, records, snapshots), read from the sources YAML. #}
{% macro raw_datasets(kind) -%}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
            {%- set meta = node.meta or node.get('config', {}).get('meta', {}) -%}
            {%- if meta.get('kind') == kind -%}{%- do names.append(node.name) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(names) }}
{%- endmacro %}
