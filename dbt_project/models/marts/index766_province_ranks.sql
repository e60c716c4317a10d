{#
  The provinces' places on the portal's index: per national snapshot (service-results), one row
  per province and group (the groupScores codes, and TOTAL for the index), ranked among the
  provinces of that snapshot (ties share a rank), with the change since the province's previous
  snapshot of the same period. rank_change is the previous rank minus this one: positive when
  the province moved up.
#}

with

national_rows as (

    select * from {{ ref('index766_scores') }}
    where scope = '00' and unit_level = 'province' and score is not null

),

groups as (

    select * from {{ ref('index766_groups') }}

),

ranked as (

    select
        snapshot_date,
        period,
        province_code,
        unit_code as portal_code,
        unit_name,
        metric_code as group_code,
        score,
        rank() over (partition by source_file, metric_code order by score desc) as rank,
        count(*) over (partition by source_file, metric_code) as provinces_ranked,
        source_file

    from national_rows

),

compared as (

    select
        ranked.snapshot_date,
        ranked.period,
        ranked.province_code,
        ranked.portal_code,
        ranked.unit_name,
        ranked.group_code,
        groups.name_vi as group_name_vi,
        groups.name_en as group_name_en,
        cast(groups.max_score as double precision) as max_score,
        ranked.score,
        ranked.rank,
        ranked.provinces_ranked,
        ranked.score - lag(ranked.score) over (
            partition by ranked.province_code, ranked.period, ranked.group_code order by ranked.snapshot_date
        ) as score_change,
        lag(ranked.rank) over (
            partition by ranked.province_code, ranked.period, ranked.group_code order by ranked.snapshot_date
        ) - ranked.rank as rank_change,
        ranked.source_file

    from ranked
    left join groups
        on ranked.group_code = groups.group_code

)

select
    compared.*,
    {{ run_id() }} as run_id
from compared
