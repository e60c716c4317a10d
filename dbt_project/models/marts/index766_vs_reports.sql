{#
  The portal's progress figures next to the periodic reports', for each province and period
  both cover: the province's latest snapshot of the progress group (dvc-progress-tree) against
  - dossier_results (the form): on time ÷ resolved, over the form's cut-off window; a
    different definition from the portal's, so both ratios are shown, never judged;
  - the dossier records, where loaded: on time ÷ received over the calendar months of the
    portal's period up to the capture month, the portal's definition: matched within rounding.
  The two sources' periods have the same code but not the same days: each row gives both.
  Ratios are percentages, 0–100, as the portal writes them.
#}

with

portal_rows as (

    select * from {{ ref('index766_scores') }}
    where group_code = 'TDGQ' and unit_level = 'province'

),

indicators as (

    select * from {{ ref('province_indicators') }}
    where indicator_code in ('dossier_on_time_rate', 'dossier_late_rate', 'dossiers_received')

),

monthly_records as (

    select * from {{ ref('fct_dossiers_monthly') }}

),

portal_snapshots as (

    select
        province_code,
        period,
        snapshot_date,
        period_start,
        period_end,
        max(case when metric_code = 'TOTAL_RECEIVED' then numerator end) as received,
        max(case when metric_code = 'TOTAL_ON_TIME' then numerator end) as on_time,
        max(case when metric_code = 'TOTAL_OVERDUE' then numerator end) as overdue,
        max(case when metric_code = 'TOTAL' then ratio end) as ratio,
        row_number() over (partition by province_code, period order by snapshot_date desc) as recency

    from portal_rows
    group by province_code, period, snapshot_date, period_start, period_end

),

portal as (

    select
        province_code,
        period,
        snapshot_date,
        period_start,
        period_end,
        received,
        on_time,
        -- the province's own row gives no overdue count: every received dossier is on time or overdue
        coalesce(overdue, received - on_time) as overdue,
        ratio

    from portal_snapshots
    where recency = 1

),

form_figures as (

    select
        province_code,
        period,
        'dossier_results' as report_source,
        min(period_start) as period_start,
        max(period_end) as period_end,
        max(case when indicator_code = 'dossiers_received' then value end) as received,
        max(case when indicator_code = 'dossier_on_time_rate' then denominator end) as resolved,
        max(case when indicator_code = 'dossier_on_time_rate' then numerator end) as on_time,
        max(case when indicator_code = 'dossier_late_rate' then numerator end) as overdue,
        max(case when indicator_code = 'dossier_on_time_rate' then 100 * value end) as ratio,
        'resolved early or on time ÷ resolved, over the form''s cut-off window' as definition,
        false as same_definition  -- the form divides by resolved, the portal by received

    from indicators
    group by province_code, period

),

record_months as (

    select
        portal.province_code,
        portal.period,
        min(monthly_records.month) as first_month,
        max(monthly_records.month) as last_month,
        sum(monthly_records.received) as received,
        sum(monthly_records.resolved_total) as resolved,
        sum(monthly_records.received) - sum(monthly_records.resolved_late) as on_time,
        sum(monthly_records.resolved_late) as overdue

    from portal
    inner join monthly_records
        on portal.province_code = monthly_records.province_code
        and monthly_records.month >= substr(cast(portal.period_start as varchar), 1, 7)
        and monthly_records.month <= substr(cast(portal.period_end as varchar), 1, 7)
        and monthly_records.month <= substr(cast(portal.snapshot_date as varchar), 1, 7)
    group by portal.province_code, portal.period

),

record_figures as (

    select
        province_code,
        period,
        'dossier_records' as report_source,
        cast(first_month || '-01' as date) as period_start,
        cast({{ dbt.last_day("cast(last_month || '-01' as date)", 'month') }} as date) as period_end,
        received,
        resolved,
        on_time,
        overdue,
        {{ half_up_2dp('100 * on_time', 'received') }} as ratio,  -- at the portal's rounding
        'received less resolved late ÷ received (pending dossiers count as on time, as the portal''s received = on time + overdue), over the calendar months of the records up to the capture month' as definition,
        true as same_definition

    from record_months

),

report_figures as (

    select * from form_figures
    union all
    select * from record_figures

),

compared as (

    select
        portal.province_code,
        portal.period,
        portal.snapshot_date,
        portal.period_start as portal_period_start,
        portal.period_end as portal_period_end,
        cast(portal.received as double precision) as portal_received,
        cast(portal.on_time as double precision) as portal_on_time,
        cast(portal.overdue as double precision) as portal_overdue,
        cast(portal.ratio as double precision) as portal_ratio,
        report_figures.report_source,
        report_figures.period_start as report_period_start,
        report_figures.period_end as report_period_end,
        cast(report_figures.received as double precision) as report_received,
        cast(report_figures.resolved as double precision) as report_resolved,
        cast(report_figures.on_time as double precision) as report_on_time,
        cast(report_figures.overdue as double precision) as report_overdue,
        cast(report_figures.ratio as double precision) as report_ratio,
        report_figures.definition as report_definition,
        case
            when not report_figures.same_definition then 'different_definition'
            when report_figures.ratio = portal.ratio then 'comparable_match'
            else 'comparable_mismatch'
        end as status

    from portal
    inner join report_figures
        on portal.province_code = report_figures.province_code
        and portal.period = report_figures.period

)

select
    compared.*,
    'on time ÷ received (processed and pending), over the calendar period to the capture date' as portal_definition,
    {{ run_id() }} as run_id
from compared
