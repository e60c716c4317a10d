{#
  Province codes are time-dependent (domain.md): 63 provinces until 30/06/2025, 34 from
  01/07/2025 (Resolution 202/2025/QH15). One row per code and era; join on code and a date.
#}

with

mapping as (

    select * from {{ ref('provinces_2025') }}

),

before_merger as (

    select
        'old:' || old_code as province_key,
        old_code as province_code,
        old_name as province_name,
        cast(null as date) as valid_from,
        cast('2025-06-30' as date) as valid_to,
        new_code as successor_code

    from mapping

),

after_merger as (

    select distinct
        'new:' || new_code as province_key,
        new_code as province_code,
        new_name as province_name,
        {{ merger_date() }} as valid_from,
        cast(null as date) as valid_to,
        cast(null as varchar) as successor_code

    from mapping

),

provinces as (

    select * from before_merger
    union all
    select * from after_merger

)

select
    provinces.*,
    {{ run_id() }} as run_id
from provinces
