with

source as (

    select * from {{ source('raw', 'calendar_periods') }}

),

renamed as (

    select
        period,
        period_type,
        period_start,
        period_end

    from source

)

select * from renamed
