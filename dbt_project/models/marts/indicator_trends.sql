{#
  Each province's indicators over time and against its peers: one row per boundaries, province,
  indicator and period, with the value of the previous period of the same type and of the same
  period a year before (the calendar names both: raw.calendar_periods), both changes, the rank
  among the provinces that reported the indicator for the period (ties share a rank; the late
  rate ranks lowest first), and the peers' median and 75th percentile.
  Ratios are compared as ratios (a change in percentage points, on the 0–1 scale), counts as counts.
  boundaries: as_reported (province_indicators), or 2025 (province_indicators_2025, the 34
  provinces from 01/07/2025, so that a merged province has one continuous series).
  Incremental by dataset: a run recomputes the indicators of the datasets it rebuilds (every
  province, period and boundaries of each, so that ranks and peers stay whole) and replaces
  their rows (delete+insert on the indicator); the other datasets' rows stand.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='indicator_code',
    on_schema_change='append_new_columns',
) }}

with

as_reported as (

    select * from {{ ref('province_indicators') }}

),

on_2025_boundaries as (

    select * from {{ ref('province_indicators_2025') }}

),

catalog as (

    select * from {{ ref('dim_indicators') }}

),

calendar as (

    select * from {{ ref('stg_raw__calendar_periods') }}

),

all_indicator_values as (

    select
        'as_reported' as boundaries,
        province_code,
        province_name,
        period,
        indicator_code,
        value,
        unit
    from as_reported

    union all

    select
        '2025' as boundaries,
        province_code,
        province_name,
        period,
        indicator_code,
        value,
        unit
    from on_2025_boundaries

),

indicator_values as (

    select * from all_indicator_values
    {% if is_incremental() %}
        where indicator_code in (select indicator_code from catalog where dataset in {{ datasets_rebuilt() }})
    {% endif %}

),

peers as (

    select
        boundaries,
        period,
        indicator_code,
        count(*) as provinces_ranked,
        {{ percentile('value', 0.5) }} as peer_median,
        {{ percentile('value', 0.75) }} as peer_p75

    from indicator_values
    where value is not null
    group by boundaries, period, indicator_code

),

ranked as (

    select
        indicator_values.*,
        case when indicator_values.value is not null then
            rank() over (
                partition by indicator_values.boundaries, indicator_values.period, indicator_values.indicator_code,
                indicator_values.value is null
                order by case when catalog.higher_is_better then -indicator_values.value else indicator_values.value end
            )
        end as rank

    from indicator_values
    inner join catalog
        on indicator_values.indicator_code = catalog.indicator_code

),

trends as (

    select
        ranked.boundaries,
        ranked.province_code,
        ranked.province_name,
        ranked.indicator_code,
        ranked.unit,
        ranked.period,
        calendar.period_type,
        ranked.value,
        calendar.previous_period,
        previous.value as previous_value,
        ranked.value - previous.value as change_from_previous,
        calendar.year_ago_period,
        year_ago.value as year_ago_value,
        ranked.value - year_ago.value as change_from_year_ago,
        ranked.rank,
        peers.provinces_ranked,
        peers.peer_median,
        peers.peer_p75

    from ranked
    left join calendar
        on ranked.period = calendar.period
    left join indicator_values as previous
        on ranked.boundaries = previous.boundaries
        and ranked.province_code = previous.province_code
        and ranked.indicator_code = previous.indicator_code
        and calendar.previous_period = previous.period
    left join indicator_values as year_ago
        on ranked.boundaries = year_ago.boundaries
        and ranked.province_code = year_ago.province_code
        and ranked.indicator_code = year_ago.indicator_code
        and calendar.year_ago_period = year_ago.period
    left join peers
        on ranked.boundaries = peers.boundaries
        and ranked.period = peers.period
        and ranked.indicator_code = peers.indicator_code

)

select
    trends.*,
    {{ run_id() }} as run_id
from trends
