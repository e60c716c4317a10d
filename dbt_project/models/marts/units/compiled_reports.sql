{#
  The province's report compiled from its units' reports (contract §1.6), for every dataset and
  period at least one of its units reported: one row per unit and column (its total row, or its
  data rows summed where it has none; a unit whose report is missing is listed with no figure,
  never guessed), a subtotal per level, and the province's total. Coverage (units in / units
  expected) is that of the row's scope: its level for unit and level rows, the province for the
  total. A unit's report with error findings is compiled, and flagged on its row.
#}

with

expected as (

    select * from {{ ref('int_expected_unit_reports') }}

),

in_use as (

    select * from {{ ref('int_unit_reports_in_use') }}

),

figure_values as (

    select * from {{ ref('int_report_figure_values') }}

),

compiled_periods as (

    select distinct dataset, province_code, period from in_use

),

dataset_columns as (

    select distinct dataset, column_name, column_position from figure_values

),

units as (

    select
        expected.dataset,
        expected.province_code,
        expected.period,
        expected.period_start,
        expected.period_end,
        expected.unit_code,
        expected.unit_name,
        expected.level,
        expected.list_position

    from expected
    inner join compiled_periods
        on expected.dataset = compiled_periods.dataset
        and expected.province_code = compiled_periods.province_code
        and expected.period = compiled_periods.period

),

unit_rows as (

    select
        units.dataset,
        units.province_code,
        units.period,
        units.period_start,
        units.period_end,
        units.level,
        units.unit_code,
        units.unit_name,
        units.list_position,
        in_use.file_path as source_file,
        coalesce(figure_values.figure_source, 'missing') as figure_source,
        coalesce(in_use.error_findings > 0, false) as has_error_findings,
        in_use.file_path is not null as is_in,
        dataset_columns.column_name,
        dataset_columns.column_position,
        figure_values.value

    from units
    inner join dataset_columns
        on units.dataset = dataset_columns.dataset
    left join in_use
        on units.dataset = in_use.dataset
        and units.province_code = in_use.province_code
        and units.period = in_use.period
        and units.unit_code = in_use.unit_code
    left join figure_values
        on in_use.file_path = figure_values.file_path
        and in_use.file_sha256 = figure_values.file_sha256
        and dataset_columns.column_name = figure_values.column_name

),

level_coverage as (

    select
        dataset,
        province_code,
        period,
        level,
        count(distinct case when is_in then unit_code end) as units_in,
        count(distinct unit_code) as units_expected

    from unit_rows
    group by dataset, province_code, period, level

),

province_coverage as (

    select
        dataset,
        province_code,
        period,
        cast(sum(units_in) as bigint) as units_in,
        cast(sum(units_expected) as bigint) as units_expected

    from level_coverage
    group by dataset, province_code, period

),

level_rows as (

    select
        dataset,
        province_code,
        period,
        min(period_start) as period_start,
        min(period_end) as period_end,
        level,
        column_name,
        min(column_position) as column_position,
        cast(sum(value) as bigint) as value,
        bool_or(has_error_findings) as has_error_findings

    from unit_rows
    group by dataset, province_code, period, level, column_name

),

total_rows as (

    select
        dataset,
        province_code,
        period,
        min(period_start) as period_start,
        min(period_end) as period_end,
        column_name,
        min(column_position) as column_position,
        cast(sum(value) as bigint) as value,
        bool_or(has_error_findings) as has_error_findings

    from unit_rows
    group by dataset, province_code, period, column_name

),

compiled as (

    select
        unit_rows.dataset,
        unit_rows.province_code,
        unit_rows.period,
        unit_rows.period_start,
        unit_rows.period_end,
        'unit' as row_kind,
        unit_rows.level,
        unit_rows.unit_code,
        unit_rows.unit_name,
        unit_rows.list_position,
        unit_rows.source_file,
        unit_rows.figure_source,
        unit_rows.has_error_findings,
        unit_rows.column_name,
        unit_rows.column_position,
        cast(unit_rows.value as bigint) as value,
        level_coverage.units_in,
        level_coverage.units_expected

    from unit_rows
    inner join level_coverage
        on unit_rows.dataset = level_coverage.dataset
        and unit_rows.province_code = level_coverage.province_code
        and unit_rows.period = level_coverage.period
        and unit_rows.level = level_coverage.level

    union all

    select
        level_rows.dataset,
        level_rows.province_code,
        level_rows.period,
        level_rows.period_start,
        level_rows.period_end,
        'level' as row_kind,
        level_rows.level,
        cast(null as varchar) as unit_code,
        cast(null as varchar) as unit_name,
        cast(null as integer) as list_position,
        cast(null as varchar) as source_file,
        'sum_of_units' as figure_source,
        level_rows.has_error_findings,
        level_rows.column_name,
        level_rows.column_position,
        level_rows.value,
        level_coverage.units_in,
        level_coverage.units_expected

    from level_rows
    inner join level_coverage
        on level_rows.dataset = level_coverage.dataset
        and level_rows.province_code = level_coverage.province_code
        and level_rows.period = level_coverage.period
        and level_rows.level = level_coverage.level

    union all

    select
        total_rows.dataset,
        total_rows.province_code,
        total_rows.period,
        total_rows.period_start,
        total_rows.period_end,
        'total' as row_kind,
        cast(null as varchar) as level,
        cast(null as varchar) as unit_code,
        cast(null as varchar) as unit_name,
        cast(null as integer) as list_position,
        cast(null as varchar) as source_file,
        'sum_of_units' as figure_source,
        total_rows.has_error_findings,
        total_rows.column_name,
        total_rows.column_position,
        total_rows.value,
        province_coverage.units_in,
        province_coverage.units_expected

    from total_rows
    inner join province_coverage
        on total_rows.dataset = province_coverage.dataset
        and total_rows.province_code = province_coverage.province_code
        and total_rows.period = province_coverage.period

)

select
    compiled.*,
    case
        when compiled.units_expected > 0 then cast(compiled.units_in as double precision) / compiled.units_expected
    end as coverage,
    {{ run_id() }} as run_id
from compiled
