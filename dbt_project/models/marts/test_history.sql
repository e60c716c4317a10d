{#
  Each test of the current dbt project over the published runs: its status in each of the last
  N runs (var test_history_runs), the run since which it fails, and whether that is new (it
  started failing in the latest run), chronic (it failed in the run before too), resolved (it
  passes again in the latest run) or passing. A view: it reads audit.test_results, which a run
  appends after its build.
#}

with

statuses as (

    select * from {{ ref('int_test_statuses_by_run') }}

),

builds as (

    select * from {{ ref('stg_audit__builds') }}

),

latest as (

    select max(run_number) as run_number from builds

),

last_failures as (

    select
        unique_id,
        max(case when is_failing then run_number end) as last_failing_number

    from statuses
    group by unique_id

),

passes_before_failing as (

    select
        statuses.unique_id,
        max(case when not statuses.is_failing and statuses.run_number < last_failures.last_failing_number then statuses.run_number end)
            as last_passing_number

    from statuses
    inner join last_failures
        on statuses.unique_id = last_failures.unique_id
    group by statuses.unique_id

),

per_test as (

    select
        statuses.unique_id,
        max(statuses.test_name) as test_name,
        max(statuses.model) as model,
        max(statuses.severity) as severity,
        max(case when statuses.run_number = latest.run_number then statuses.status end) as latest_status,
        max(case when statuses.run_number = latest.run_number then statuses.failures end) as latest_failures,
        max(case when statuses.run_number = latest.run_number and statuses.is_failing then 1 else 0 end) = 1 as failing_now,
        max(case when statuses.run_number = latest.run_number - 1 and statuses.is_failing then 1 else 0 end) = 1 as failing_before,
        min(
            case
                when statuses.is_failing and statuses.run_number > coalesce(passes_before_failing.last_passing_number, 0)
                    then statuses.run_number
            end
        ) as failing_since_number,
        string_agg(statuses.status, ' ' order by statuses.run_number)
            filter (where statuses.run_number > latest.run_number - {{ var('test_history_runs') }}) as recent_statuses,
        sum(case when statuses.run_number > latest.run_number - {{ var('test_history_runs') }} then 1 else 0 end)
            as recent_runs

    from statuses
    cross join latest
    inner join passes_before_failing
        on statuses.unique_id = passes_before_failing.unique_id
    group by statuses.unique_id

),

test_history as (

    select
        per_test.unique_id,
        per_test.test_name,
        per_test.model,
        per_test.severity,
        case
            when per_test.failing_now and per_test.failing_before then 'chronic'
            when per_test.failing_now then 'new'
            when per_test.failing_before then 'resolved'
            else 'passing'
        end as history_status,
        per_test.latest_status,
        per_test.latest_failures,
        failing_since.run_id as failing_since_run_id,
        failing_since.built_at as failing_since,
        per_test.recent_statuses,
        cast(per_test.recent_runs as integer) as recent_runs

    from per_test
    left join builds as failing_since
        on per_test.failing_since_number = failing_since.run_number

)

select * from test_history
