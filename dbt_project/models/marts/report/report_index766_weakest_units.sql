-- The ten units of each province and group with the lowest total in the latest capture of the
-- province's tree, each with the metric that loses it most points.
with latest as (

    select scope, group_code, max(snapshot_date) as snapshot_date
    from {{ ref('index766_scores') }}
    where scope <> '00'
    group by scope, group_code

),

unit_rows as (

    select scores.*
    from {{ ref('index766_scores') }} as scores
    inner join latest
        on scores.scope = latest.scope
        and scores.group_code = latest.group_code
        and scores.snapshot_date = latest.snapshot_date
    where scores.unit_level in ('department', 'commune')

),

worst_metric as (

    select
        unit_id,
        group_code,
        metric_code,
        metric_name,
        max_score - score as points_lost,
        row_number() over (partition by unit_id, group_code order by max_score - score desc, metric_code) as position
    from unit_rows
    where metric_kind = 'scored' and metric_code <> 'TOTAL' and score is not null

),

ranked as (

    select
        unit_rows.*,
        row_number() over (partition by province_code, group_code order by score, unit_code) as position
    from unit_rows
    where metric_code = 'TOTAL' and score is not null

)

select
    ranked.province_code,
    ranked.group_code,
    cast(groups.position as integer) as group_position,
    ranked.position as unit_position,
    ranked.snapshot_date,
    ranked.unit_code,
    ranked.unit_name,
    ranked.unit_level,
    ranked.score,
    ranked.max_score,
    worst_metric.metric_code as worst_metric,
    worst_metric.metric_name as worst_metric_name,
    worst_metric.points_lost,
    {{ run_id() }} as run_id
from ranked
inner join {{ ref('index766_groups') }} as groups
    on ranked.group_code = groups.group_code
left join worst_metric
    on ranked.unit_id = worst_metric.unit_id
    and ranked.group_code = worst_metric.group_code
    and worst_metric.position = 1
where ranked.position <= 10
