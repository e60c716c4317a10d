-- What changed on the national file since its previous snapshot: each province's rank and score
-- on the index and on each group, at the latest snapshot of each period that has one before it.
with latest as (

    select period, max(snapshot_date) as snapshot_date
    from {{ ref('index766_province_ranks') }}
    where score_change is not null
    group by period

)

select
    ranks.province_code,
    ranks.period,
    ranks.snapshot_date,
    ranks.group_code,
    ranks.group_name_vi,
    ranks.group_name_en,
    ranks.score,
    ranks.score_change,
    ranks.rank,
    ranks.rank_change,
    ranks.provinces_ranked,
    {{ run_id() }} as run_id
from {{ ref('index766_province_ranks') }} as ranks
inner join latest
    on ranks.period = latest.period
    and ranks.snapshot_date = latest.snapshot_date
