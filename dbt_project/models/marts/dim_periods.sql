{#
  The reporting periods that loaded reports cover (index snapshots, on calendar periods, aside), with the dates the ingest flow derived from
  the cut-off convention (tthc/contract/periods.py, stored in raw.report_files). The type and the
  year follow from those dates: a window of 12, 6, 3 or 1 months, ending in its year.
#}

with

report_files as (

    select * from {{ ref('stg_raw__report_files') }}

),

periods as (

    select distinct
        period,
        case {{ dbt.datediff('period_start', 'period_end', 'month') }}
            when 12 then 'year'
            when 6 then 'half'
            when 3 then 'quarter'
            else 'month'
        end as period_type,
        cast(extract(year from period_end) as integer) as year,
        period_start,
        period_end

    from report_files
    where not is_snapshot  -- index snapshots use the portal's calendar periods

)

select
    periods.*,
    {{ run_id() }} as run_id
from periods
