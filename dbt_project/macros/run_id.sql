{#
  The id of the tthc run that built a mart. Every mart carries it, so a reader can check that
  one query sees one run: the published file is replaced whole, never table by table. The flow
  writes it into audit.current_run before dbt builds (tthc/runs/results.py), and stamps it on the
  marts a run did not need to rebuild.
#}
{% macro run_id() -%}
    (select run_id from audit.current_run)
{%- endmacro %}

{# The run's date ("now" of the reporting calendar): its day in Asia/Ho_Chi_Minh, or TTHC_AS_OF. #}
{% macro as_of_date() -%}
    (select as_of from audit.current_run)
{%- endmacro %}

{#
  The datasets whose marts the run rebuilds (every dataset when it builds every node): a mart
  incremental by dataset replaces only their rows. The flow writes them into
  audit.current_run_datasets before dbt builds (tthc/runs/results.py).
#}
{% macro datasets_rebuilt() -%}
    (select dataset from audit.current_run_datasets)
{%- endmacro %}
