{#
  Where the province's own report for a compiled period is also in raw/<dataset>/ (its current
  version), each figure of its total against the compiled total (marts.compiled_reports): match,
  mismatch (with both values), not_in_submitted (compiled, but the province's report leaves the
  column empty) or not_in_compiled (the other way round). Never replaces either.
#}

with

compiled_totals as (

    select * from {{ ref('compiled_reports') }}
    where row_kind = 'total'

),

submitted_versions as (

    select * from {{ ref('int_report_versions') }}
    where is_current and not is_unit_report and not is_snapshot

),

figure_values as (

    select * from {{ ref('int_report_figure_values') }}

),

submitted as (

    select
        submitted_versions.dataset,
        submitted_versions.province_code,
        submitted_versions.period,
        submitted_versions.file_path as submitted_file,
        figure_values.column_name,
        figure_values.value

    from submitted_versions
    inner join figure_values
        on submitted_versions.file_path = figure_values.file_path
        and submitted_versions.file_sha256 = figure_values.file_sha256

),

compared as (

    select
        compiled_totals.dataset,
        compiled_totals.province_code,
        compiled_totals.period,
        compiled_totals.column_name,
        compiled_totals.column_position,
        submitted.submitted_file,
        submitted.value as submitted_value,
        compiled_totals.value as compiled_value,
        compiled_totals.units_in,
        compiled_totals.units_expected,
        case
            when submitted.value is null and compiled_totals.value is null then 'match'
            when submitted.value is null then 'not_in_submitted'
            when compiled_totals.value is null then 'not_in_compiled'
            when submitted.value = compiled_totals.value then 'match'
            else 'mismatch'
        end as status

    from compiled_totals
    inner join submitted
        on compiled_totals.dataset = submitted.dataset
        and compiled_totals.province_code = submitted.province_code
        and compiled_totals.period = submitted.period
        and compiled_totals.column_name = submitted.column_name

)

select
    compared.*,
    {{ run_id() }} as run_id
from compared
