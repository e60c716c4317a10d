{#
  The units' reports of each period a province's units reported (contract §1.6), for its page:
  each expected unit × dataset with its status and timeliness, and the coverage of that dataset's
  compiled report. The periods no unit reported stay in unit_submissions, not on the page.
#}

with

unit_submissions as (

    select * from {{ ref('unit_submissions') }}

),

coverage as (

    select dataset, province_code, period, units_in, units_expected, coverage
    from {{ ref('compiled_reports') }}
    where row_kind = 'total' and column_position = 1

),

reported_periods as (

    select distinct province_code, period
    from unit_submissions
    where status <> 'missing'

)

select
    unit_submissions.period,
    unit_submissions.dataset,
    unit_submissions.province_code,
    unit_submissions.unit_code,
    unit_submissions.unit_name,
    unit_submissions.level,
    unit_submissions.status,
    unit_submissions.due_date,
    unit_submissions.timeliness,
    coverage.units_in,
    coverage.units_expected,
    coverage.coverage,
    {{ run_id() }} as run_id
from unit_submissions
inner join reported_periods
    on unit_submissions.province_code = reported_periods.province_code
    and unit_submissions.period = reported_periods.period
left join coverage
    on unit_submissions.dataset = coverage.dataset
    and unit_submissions.province_code = coverage.province_code
    and unit_submissions.period = coverage.period
