{# The level vocabulary (seed level_labels) keyed the way staging keys a row's level text. #}

with

level_labels as (

    select * from {{ ref('level_labels') }}

),

keyed as (

    select
        {{ normalize_label('label') }} as level_key,
        level

    from level_labels

)

select * from keyed
