with

source as (

    select * from {{ source('audit', 'builds') }}

),

renamed as (

    select
        run_id,
        row_number() over (order by built_at, run_id) as run_number,
        project_hash,
        built_at

    from source

)

select * from renamed
