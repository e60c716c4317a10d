{#
  The one place where indicator formulas are written (contract §2.3). Each formula is SQL over
  the report-level figures of its dataset (int_report_figures__<dataset>); a count indicator
  has no denominator. Names, units and whether an indicator adds up across units live in the
  seed `indicators`; dim_indicators shows both together.
#}
{% macro indicator_formulas() %}
    {% set resolved_in_time = "coalesce(resolved_early + resolved_on_time, resolved_in_time)" %}
    {% set resolved_total = "coalesce(resolved_total, " ~ resolved_in_time ~ " + resolved_late)" %}
    {{ return([
        {'code': 'dossier_on_time_rate', 'dataset': 'dossier_results', 'numerator': resolved_in_time, 'denominator': resolved_total},
        {'code': 'dossier_early_rate', 'dataset': 'dossier_results', 'numerator': 'resolved_early', 'denominator': resolved_total},
        {'code': 'dossier_late_rate', 'dataset': 'dossier_results', 'numerator': 'resolved_late', 'denominator': resolved_total},
        {'code': 'dossier_resolution_rate', 'dataset': 'dossier_results', 'numerator': resolved_total, 'denominator': 'received_total'},
        {'code': 'dossier_online_intake_rate', 'dataset': 'dossier_results', 'numerator': 'received_online', 'denominator': 'received_online + received_offline'},
        {'code': 'dossiers_received', 'dataset': 'dossier_results', 'numerator': 'received_total', 'denominator': none},
        {'code': 'national_portal_integration_rate', 'dataset': 'online_services', 'numerator': 'integrated_national', 'denominator': 'coalesce(integration_eligible, services_partial + services_full)'},
        {'code': 'online_service_full_rate', 'dataset': 'online_services', 'numerator': 'services_full', 'denominator': 'services_total'},
        {'code': 'online_service_rate_34', 'dataset': 'online_services', 'numerator': 'services_partial + services_full', 'denominator': 'services_total'},
        {'code': 'online_services_total', 'dataset': 'online_services', 'numerator': 'services_total', 'denominator': none},
        {'code': 'one_stop_coverage_rate', 'dataset': 'procedure_inventory', 'numerator': 'one_stop_total', 'denominator': 'procedures_total'},
        {'code': 'procedures_total', 'dataset': 'procedure_inventory', 'numerator': 'procedures_total', 'denominator': none},
        {'code': 'feedback_resolution_rate', 'dataset': 'feedback', 'numerator': 'resolved', 'denominator': 'received_total'},
        {'code': 'feedback_publication_rate', 'dataset': 'feedback', 'numerator': 'published', 'denominator': 'received_total'},
        {'code': 'feedback_received', 'dataset': 'feedback', 'numerator': 'received_total', 'denominator': none},
        {'code': 'procedures_announced', 'dataset': 'procedure_control', 'numerator': 'procedures_announced', 'denominator': none},
        {'code': 'announcement_decisions', 'dataset': 'procedure_control', 'numerator': 'announcement_decisions', 'denominator': none},
        {'code': 'legal_documents', 'dataset': 'procedure_control', 'numerator': 'legal_documents', 'denominator': none},
        {'code': 'units_inspected', 'dataset': 'procedure_control', 'numerator': 'units_inspected', 'denominator': none},
    ]) }}
{% endmacro %}

{# The datasets that have indicators, in a stable order: every counted form. #}
{% macro indicator_datasets() %}
    {{ return(form_datasets()) }}
{% endmacro %}

{#
  The counted forms (sources of kind `form`), in a stable order: those a unit reports and a
  province compiles (contract §1.6). Written out rather than read from the graph, because a model
  that refs one model per dataset needs the list at parse time; tests/dbt checks it against the
  sources.
#}
{% macro form_datasets() %}
    {{ return(['dossier_results', 'online_services', 'procedure_inventory', 'feedback', 'procedure_control']) }}
{% endmacro %}

{#
  The formulas applied to rows of figures: one `select` per indicator, unioned. `relations`
  maps a dataset to the relation (or CTE) holding its figures; `keys` are carried through.
#}
{% macro indicator_inputs(relations, keys) %}
    {%- for f in indicator_formulas() if f.dataset in relations %}
    select
        {%- for k in keys %}
        {{ k }},
        {%- endfor %}
        '{{ f.code }}' as indicator_code,
        {{ 'true' if f.denominator is none else 'false' }} as is_count,
        cast({{ f.numerator }} as bigint) as numerator,
        cast({{ f.denominator if f.denominator is not none else 'null' }} as bigint) as denominator
    from {{ relations[f.dataset] }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{% endmacro %}

{# A ratio is numerator / denominator, NULL when it cannot be computed (never 0); a count is its numerator. #}
{% macro indicator_value(numerator, denominator, is_count) -%}
    case
        when {{ is_count }} then cast({{ numerator }} as double precision)
        else cast({{ numerator }} as double precision) / nullif({{ denominator }}, 0)
    end
{%- endmacro %}
