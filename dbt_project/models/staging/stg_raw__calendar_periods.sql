with

source as (

    select * from {{ source('raw', 'calendar_periods') }}

),

renamed as (

    select
        period,
        period_type,
        period_start,
        period_end,
        previous_period,
        year_ago_period

    from source

)

select * from renamed
