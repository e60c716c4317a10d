{# One row per day of the reporting calendar's span: the time spine MetricFlow requires. #}

with

days as (

    select * from {{ ref('int_working_days') }}

)

select
    cast(calendar_date as date) as date_day,
    {{ run_id() }} as run_id
from days
