-- Each province's latest score in each group of the Decision 766 index: its own capture's or the
-- national file's, whichever is later.
with candidates as (

    select province_code, group_code, period, snapshot_date, score, max_score
    from {{ ref('index766_scores') }}
    where unit_level = 'province' and scope <> '00' and metric_code = 'TOTAL'

    union all

    select province_code, group_code, period, snapshot_date, score, max_score
    from {{ ref('index766_province_ranks') }}
    where group_code <> 'TOTAL'

),

latest as (

    select
        candidates.*,
        row_number() over (
            partition by candidates.province_code, candidates.group_code
            order by candidates.period desc, candidates.snapshot_date desc
        ) as recency
    from candidates

)

select
    latest.province_code,
    latest.group_code,
    cast(groups.position as integer) as group_position,
    groups.name_vi,
    groups.name_en,
    latest.period,
    latest.snapshot_date,
    cast(latest.score as double precision) as score,
    cast(coalesce(latest.max_score, groups.max_score) as double precision) as max_score,
    {{ run_id() }} as run_id
from latest
inner join {{ ref('index766_groups') }} as groups
    on latest.group_code = groups.group_code
where latest.recency = 1
