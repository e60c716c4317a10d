-- The units of each province that lost most points on each group since the province's previous
-- capture of the same period: the five largest losses.
with captures as (

    select
        scope,
        group_code,
        period,
        snapshot_date,
        dense_rank() over (partition by scope, group_code, period order by snapshot_date desc) as recency
    from (select distinct scope, group_code, period, snapshot_date from {{ ref('index766_scores') }} where scope <> '00') as snapshots

),

unit_totals as (

    select
        scores.province_code,
        scores.scope,
        scores.group_code,
        scores.period,
        scores.unit_id,
        scores.unit_code,
        scores.unit_name,
        captures.recency,
        scores.snapshot_date,
        scores.score
    from {{ ref('index766_scores') }} as scores
    inner join captures
        on scores.scope = captures.scope
        and scores.group_code = captures.group_code
        and scores.period = captures.period
        and scores.snapshot_date = captures.snapshot_date
    where captures.recency <= 2
        and scores.metric_code = 'TOTAL'
        and scores.unit_level in ('department', 'commune')
        and scores.score is not null

),

changes as (

    select
        latest.province_code,
        latest.group_code,
        latest.period,
        latest.snapshot_date,
        earlier.snapshot_date as previous_snapshot_date,
        latest.unit_code,
        latest.unit_name,
        latest.score,
        earlier.score - latest.score as points_lost
    from unit_totals as latest
    inner join unit_totals as earlier
        on latest.scope = earlier.scope
        and latest.group_code = earlier.group_code
        and latest.period = earlier.period
        and latest.unit_id = earlier.unit_id
        and earlier.recency = 2
    where latest.recency = 1 and earlier.score > latest.score

),

ranked as (

    select
        changes.*,
        row_number() over (
            partition by changes.province_code, changes.group_code, changes.period
            order by changes.points_lost desc, changes.unit_code
        ) as loss_position
    from changes

)

select
    province_code,
    group_code,
    period,
    snapshot_date,
    previous_snapshot_date,
    loss_position,
    unit_code,
    unit_name,
    score,
    points_lost,
    {{ run_id() }} as run_id
from ranked
where loss_position <= 5
