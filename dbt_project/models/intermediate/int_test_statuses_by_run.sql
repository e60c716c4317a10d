{#
  Each test of the current dbt project, in each published run since it first ran: the status it
  had then. A run rebuilds only what changed and runs only those nodes' tests, so a test that did
  not run keeps the status of its last run (ran_in_run is false). A change of the dbt project
  runs every test, so the current project's tests are those that ran under its hash.
#}

with

builds as (

    select * from {{ ref('stg_audit__builds') }}

),

test_results as (

    select * from {{ ref('stg_audit__test_results') }}
    where run_id is not null

),

latest_build as (

    select project_hash from builds
    where run_number = (select max(run_number) from builds)

),

current_tests as (

    select
        test_results.unique_id,
        max(test_results.test_name) as test_name,
        max(test_results.model) as model,
        max(test_results.severity) as severity,
        min(builds.run_number) as first_run_number

    from test_results
    inner join builds
        on test_results.run_id = builds.run_id
    where builds.project_hash in (select latest_build.project_hash from latest_build)
    group by test_results.unique_id

),

results_by_run as (

    select
        test_results.unique_id,
        builds.run_number,
        test_results.status,
        test_results.failures

    from test_results
    inner join builds
        on test_results.run_id = builds.run_id

),

grid as (

    select
        current_tests.unique_id,
        current_tests.test_name,
        current_tests.model,
        current_tests.severity,
        builds.run_id,
        builds.run_number,
        builds.built_at,
        results_by_run.status is not null as ran_in_run,
        max(case when results_by_run.status is not null then builds.run_number end) over (
            partition by current_tests.unique_id order by builds.run_number
            rows between unbounded preceding and current row
        ) as last_ran_number

    from current_tests
    cross join builds
    left join results_by_run
        on current_tests.unique_id = results_by_run.unique_id
        and builds.run_number = results_by_run.run_number

),

statuses as (

    select
        grid.unique_id,
        grid.test_name,
        grid.model,
        grid.severity,
        grid.run_id,
        grid.run_number,
        grid.built_at,
        grid.ran_in_run,
        last_ran.status,
        last_ran.failures,
        last_ran.status in ('warn', 'fail', 'error') as is_failing

    from grid
    inner join results_by_run as last_ran
        on grid.unique_id = last_ran.unique_id
        and grid.last_ran_number = last_ran.run_number

)

select * from statuses
