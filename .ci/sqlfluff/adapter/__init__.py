"""Stand-in for dbt's `adapter` context (adapter.dispatch) for sqlfluff's jinja templater.

A dispatched macro (dbt_project/macros/engine_syntax.sql) renders, for lint, as a call of a
function of its name: sqlfluff checks the models' own SQL, not the engines' expressions."""


def dispatch(macro_name: str, macro_namespace: str | None = None):
    def rendered(*args) -> str:
        return f"{macro_name}({', '.join(str(a) for a in args)})"

    return rendered
