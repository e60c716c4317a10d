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

exported as (

    -- counted by the texts as exported first: a month's few distinct texts are put into words
    -- below, not each of its rows (on PostgreSQL the words cost more than the count)
    select
        current_exports.province_code,
        current_exports.period as month,
        dossiers.level_as_exported,
        dossiers.channel_as_exported,
        dossiers.status_as_exported,
        dossiers.outcome,
        dossiers.is_synthetic,
        count(*) as dossiers,
        max(current_exports.last_delivered_at) as built_from_loaded_at

    from current_exports
    inner join dossiers
        on current_exports.file_id = dossiers.file_id
    group by
        current_exports.province_code,
        current_exports.period,
        dossiers.level_as_exported,
        dossiers.channel_as_exported,
        dossiers.status_as_exported,
        dossiers.outcome,
        dossiers.is_synthetic

),

in_words as (

    select
        exported.province_code,
        exported.month,
        level_labels.level,
        {{ dossier_word('channel', 'exported.channel_as_exported') }} as channel,
        {{ dossier_word('status', 'exported.status_as_exported') }} as status,
        exported.outcome,
        exported.is_synthetic,
        exported.dossiers,
        exported.built_from_loaded_at

    from exported
    left join level_labels
        on {{ normalize_label('exported.level_as_exported') }} = level_labels.level_key

),

monthly as (

    select
        province_code,
        month,
        level,
        channel,
        is_synthetic,
        cast(sum(dossiers) as bigint) as received,
        cast(coalesce(sum(dossiers) filter (where status = 'resolved'), 0) as bigint) as resolved_total,
        cast(coalesce(sum(dossiers) filter (where outcome = 'early'), 0) as bigint) as resolved_early,
        cast(coalesce(sum(dossiers) filter (where outcome = 'on_time'), 0) as bigint) as resolved_on_time,
        cast(coalesce(sum(dossiers) filter (where outcome = 'late'), 0) as bigint) as resolved_late,
        cast(coalesce(sum(dossiers) filter (where status = 'pending'), 0) as bigint) as pending,
        cast(coalesce(sum(dossiers) filter (where status = 'returned'), 0) as bigint) as returned,
        cast(coalesce(sum(dossiers) filter (where status = 'withdrawn'), 0) as bigint) as withdrawn,
        max(built_from_loaded_at) as built_from_loaded_at

    from in_words
    group by province_code, month, level, channel, is_synthetic

)

select
    monthly.*,
    {{ run_id() }} as run_id
from monthly
