with

source as (

    select * from {{ source('audit', 'test_results') }}

),

renamed as (

    select
        unique_id,
        test_name,
        model,
        lower(severity) as severity,
        status,
        failures,
        message,
        executed_at,
        run_id

    from source

)

select * from renamed
