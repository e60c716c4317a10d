{#
  Dossier records of the current export of each province and month, counted by level and
  channel. Incremental: a run recomputes only the province-months whose current export was
  delivered (loaded, or brought back to its path) since the table was last built, and replaces them (delete+insert on province and
  month), so adding one month does not rebuild the years before it.
#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['province_code', 'month'],
    on_schema_change='append_new_columns',
) }}

with

current_exports as (

    select * from {{ ref('int_dossier_exports_current') }}
    where is_current
    {% if is_incremental() %}
        and last_delivered_at > (select coalesce(max(built_from_loaded_at), cast('1900-01-01' as timestamp)) from {{ this }})
    {% endif %}

),

dossiers as (

    select * from {{ ref('stg_raw__dossiers') }}

),

level_labels as (

    select * from {{ ref('int_level_labels') }}

),

monthly as (

    select
        current_exports.province_code,
        current_exports.period as month,
        level_labels.level,
        dossiers.channel,
        dossiers.is_synthetic,
        count(*) as received,
        count(*) filter (where dossiers.status = 'resolved') as resolved_total,
        count(*) filter (where dossiers.outcome = 'early') as resolved_early,
        count(*) filter (where dossiers.outcome = 'on_time') as resolved_on_time,
        count(*) filter (where dossiers.outcome = 'late') as resolved_late,
        count(*) filter (where dossiers.status = 'pending') as pending,
        count(*) filter (where dossiers.status = 'returned') as returned,
        count(*) filter (where dossiers.status = 'withdrawn') as withdrawn,
        max(current_exports.last_delivered_at) as built_from_loaded_at

    from current_exports
    inner join dossiers
        on current_exports.file_id = dossiers.file_id
    left join level_labels
        on dossiers.level_key = level_labels.level_key
    group by current_exports.province_code, current_exports.period, level_labels.level, dossiers.channel, dossiers.is_synthetic

)

select
    monthly.*,
    {{ run_id() }} as run_id
from monthly
