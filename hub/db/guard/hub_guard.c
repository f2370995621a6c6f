/*
 * hub_guard: safeguards a PostgreSQL 15 login role cannot turn off (issue 16 item 10).
 *
 * Core PostgreSQL lets any role SET its own statement_timeout, work_mem or read-only mode, and ALTER ROLE itself
 * to persist that; GRANT SET ON PARAMETER (PG 15) only governs superuser-only parameters. This library is
 * preloaded into the sessions of the hub's public-facing roles (ALTER ROLE hub_api SET session_preload_libraries,
 * itself a superuser-only setting) and, in those sessions only:
 *
 *   - adds a check to statement_timeout, idle_in_transaction_session_timeout, work_mem, hash_mem_multiplier,
 *     default_transaction_read_only and transaction_read_only: a value set by the client (startup options, SET,
 *     SET LOCAL, set_config(), BEGIN READ WRITE, ALTER ROLE validation) may make them stricter, never looser than
 *     the limits in hub_guard.* (superuser-only parameters the hub sets per role);
 *   - forces values that arrived looser at connection time (e.g. PGOPTIONS='-c statement_timeout=0') to the
 *     limit before the first statement;
 *   - refuses ALTER ROLE (settings, password) and LISTEN/NOTIFY: the hub manages its roles.
 *
 * Superuser sessions, background and parallel workers are never guarded.
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "postmaster/bgworker.h"
#include "storage/proc.h"
#include "tcop/utility.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

static int	max_statement_timeout = 0;	/* ms; 0 = not guarded */
static int	max_idle_xact_timeout = 0;	/* ms; 0 = not guarded */
static int	max_work_mem = 0;			/* kB; 0 = not guarded */
static double max_hash_mem = 0.0;		/* 0 = not guarded */
static bool guard_read_only = false;
static bool active = false;

static ProcessUtility_hook_type prev_utility = NULL;
static GucIntCheckHook orig_statement_timeout = NULL;
static GucIntCheckHook orig_idle_xact = NULL;
static GucIntCheckHook orig_work_mem = NULL;
static GucRealCheckHook orig_hash_mem = NULL;
static GucBoolCheckHook orig_default_ro = NULL;
static GucBoolCheckHook orig_xact_ro = NULL;

/* Sources a client controls: startup packet, SET/set_config, interactive, and ALTER ROLE/DATABASE validation. */
static bool
client_source(GucSource source)
{
	return active && (source == PGC_S_CLIENT || source == PGC_S_SESSION || source == PGC_S_INTERACTIVE ||
					  source == PGC_S_TEST);
}

static bool
refuse(const char *name, const char *limit)
{
	GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
	GUC_check_errmsg("%s is locked for this role: it may be lowered, not raised or disabled (limit %s)",
					 name, limit);
	GUC_check_errhint("The hub sets this limit (hub_guard); ask the operator to change it.");
	return false;
}

static bool
refuse_off(const char *name)
{
	GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
	GUC_check_errmsg("%s is locked on for this role: its sessions and transactions are read-only", name);
	GUC_check_errhint("The hub sets this limit (hub_guard); ask the operator to change it.");
	return false;
}

static bool
timeout_ok(int *newval, int limit, const char *name)
{
	char		text[32];

	if (limit <= 0 || (*newval > 0 && *newval <= limit))
		return true;
	snprintf(text, sizeof(text), "%d ms", limit);
	return refuse(name, text);
}

static bool
check_statement_timeout(int *newval, void **extra, GucSource source)
{
	if (client_source(source) && !timeout_ok(newval, max_statement_timeout, "statement_timeout"))
		return false;
	return orig_statement_timeout ? orig_statement_timeout(newval, extra, source) : true;
}

static bool
check_idle_xact(int *newval, void **extra, GucSource source)
{
	if (client_source(source) && !timeout_ok(newval, max_idle_xact_timeout, "idle_in_transaction_session_timeout"))
		return false;
	return orig_idle_xact ? orig_idle_xact(newval, extra, source) : true;
}

static bool
check_work_mem(int *newval, void **extra, GucSource source)
{
	char		text[32];

	if (client_source(source) && max_work_mem > 0 && *newval > max_work_mem)
	{
		snprintf(text, sizeof(text), "%d kB", max_work_mem);
		return refuse("work_mem", text);
	}
	return orig_work_mem ? orig_work_mem(newval, extra, source) : true;
}

static bool
check_hash_mem(double *newval, void **extra, GucSource source)
{
	char		text[32];

	if (client_source(source) && max_hash_mem > 0 && *newval > max_hash_mem)
	{
		snprintf(text, sizeof(text), "%g", max_hash_mem);
		return refuse("hash_mem_multiplier", text);
	}
	return orig_hash_mem ? orig_hash_mem(newval, extra, source) : true;
}

static bool
check_default_ro(bool *newval, void **extra, GucSource source)
{
	if (client_source(source) && guard_read_only && !*newval)
		return refuse_off("default_transaction_read_only");
	return orig_default_ro ? orig_default_ro(newval, extra, source) : true;
}

static bool
check_xact_ro(bool *newval, void **extra, GucSource source)
{
	if (client_source(source) && guard_read_only && !*newval)
		return refuse_off("transaction_read_only");
	return orig_xact_ro ? orig_xact_ro(newval, extra, source) : true;
}

/* Chain a check hook onto a built-in parameter of this backend's GUC table. */
static void
hook_parameters(void)
{
	struct config_generic **vars = get_guc_variables();
	int			n = GetNumConfigOptions();

	for (int i = 0; i < n; i++)
	{
		struct config_generic *g = vars[i];

		if (strcmp(g->name, "statement_timeout") == 0)
		{
			orig_statement_timeout = ((struct config_int *) g)->check_hook;
			((struct config_int *) g)->check_hook = check_statement_timeout;
		}
		else if (strcmp(g->name, "idle_in_transaction_session_timeout") == 0)
		{
			orig_idle_xact = ((struct config_int *) g)->check_hook;
			((struct config_int *) g)->check_hook = check_idle_xact;
		}
		else if (strcmp(g->name, "work_mem") == 0)
		{
			orig_work_mem = ((struct config_int *) g)->check_hook;
			((struct config_int *) g)->check_hook = check_work_mem;
		}
		else if (strcmp(g->name, "hash_mem_multiplier") == 0)
		{
			orig_hash_mem = ((struct config_real *) g)->check_hook;
			((struct config_real *) g)->check_hook = check_hash_mem;
		}
		else if (strcmp(g->name, "default_transaction_read_only") == 0)
		{
			orig_default_ro = ((struct config_bool *) g)->check_hook;
			((struct config_bool *) g)->check_hook = check_default_ro;
		}
		else if (strcmp(g->name, "transaction_read_only") == 0)
		{
			orig_xact_ro = ((struct config_bool *) g)->check_hook;
			((struct config_bool *) g)->check_hook = check_xact_ro;
		}
	}
}

static void
force(const char *name, const char *value)
{
	SetConfigOption(name, value, PGC_SUSET, PGC_S_OVERRIDE);
}

/* Values that arrived looser at connection time (startup options) become the limit. */
static void
enforce_start_values(void)
{
	char		text[32];

	if (max_statement_timeout > 0 && (StatementTimeout <= 0 || StatementTimeout > max_statement_timeout))
	{
		snprintf(text, sizeof(text), "%d", max_statement_timeout);
		force("statement_timeout", text);
	}
	if (max_idle_xact_timeout > 0 &&
		(IdleInTransactionSessionTimeout <= 0 || IdleInTransactionSessionTimeout > max_idle_xact_timeout))
	{
		snprintf(text, sizeof(text), "%d", max_idle_xact_timeout);
		force("idle_in_transaction_session_timeout", text);
	}
	if (max_work_mem > 0 && work_mem > max_work_mem)
	{
		snprintf(text, sizeof(text), "%d", max_work_mem);
		force("work_mem", text);
	}
	if (max_hash_mem > 0 && hash_mem_multiplier > max_hash_mem)
	{
		snprintf(text, sizeof(text), "%g", max_hash_mem);
		force("hash_mem_multiplier", text);
	}
	if (guard_read_only && !DefaultXactReadOnly)
		force("default_transaction_read_only", "on");
	/* RESET transaction_read_only inside a transaction returns to this value (PostgreSQL's is off). */
	if (guard_read_only)
		force("transaction_read_only", "on");
}

static void
guard_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree, ProcessUtilityContext context,
			  ParamListInfo params, QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	if (active)
	{
		switch (nodeTag(pstmt->utilityStmt))
		{
			case T_AlterRoleStmt:
			case T_AlterRoleSetStmt:
			case T_AlterDatabaseSetStmt:
				ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
								errmsg("this role may not change role or database settings, nor its password"),
								errhint("The hub manages its roles (hub db migrate); ask the operator.")));
				break;
			case T_NotifyStmt:
			case T_ListenStmt:
				ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
								errmsg("LISTEN and NOTIFY are not available to this role")));
				break;
			default:
				break;
		}
	}
	if (prev_utility)
		prev_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
}

void
_PG_init(void)
{
	DefineCustomIntVariable("hub_guard.max_statement_timeout", "Largest statement_timeout a guarded session may use.",
							NULL, &max_statement_timeout, 0, 0, INT_MAX, PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("hub_guard.max_idle_in_transaction_session_timeout",
							"Largest idle_in_transaction_session_timeout a guarded session may use.", NULL,
							&max_idle_xact_timeout, 0, 0, INT_MAX, PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("hub_guard.max_work_mem", "Largest work_mem a guarded session may use.", NULL,
							&max_work_mem, 0, 0, MAX_KILOBYTES, PGC_SUSET, GUC_UNIT_KB, NULL, NULL, NULL);
	DefineCustomRealVariable("hub_guard.max_hash_mem_multiplier",
							 "Largest hash_mem_multiplier a guarded session may use.", NULL, &max_hash_mem,
							 0.0, 0.0, 1000.0, PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("hub_guard.read_only", "Guarded sessions cannot leave read-only mode.", NULL,
							 &guard_read_only, false, PGC_SUSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("hub_guard");

	if (!IsUnderPostmaster || IsBackgroundWorker || !OidIsValid(GetSessionUserId()) ||
		superuser_arg(GetSessionUserId()))
		return;
	enforce_start_values();
	hook_parameters();
	prev_utility = ProcessUtility_hook;
	ProcessUtility_hook = guard_utility;
	active = true;
}
