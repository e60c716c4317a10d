{# The reporting periods that loaded reports cover, with the dates the ingest flow derived from the cut-off convention. #}

with

report_files as (

    select * from {{ ref('stg_raw__report_files') }}

),

periods as (

    select distinct
        period,
        case
            when length(period) = 4 then 'year'
            when substring(period, 6, 1) = 'H' then 'half'
            when substring(period, 6, 1) = 'Q' then 'quarter'
            else 'month'
        end as period_type,
        cast(substring(period, 1, 4) as integer) as year,
        period_start,
        period_end

    from report_files

)

select
    periods.*,
    {{ run_id() }} as run_id
from periods
