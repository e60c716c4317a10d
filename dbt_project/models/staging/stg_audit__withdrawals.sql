with

source as (

    select * from {{ source('audit', 'withdrawals') }}

),

renamed as (

    select
        dataset,
        province_code,
        period,
        reason,
        withdrawn_at,
        run_id,
        unit_code

    from source

)

select * from renamed
