// Project and group CI/CD variables: lib/api/ci/variables.rb (projects), lib/api/group_variables.rb
// (groups), lib/api/helpers/variables_helpers.rb (`find_variable`), app/finders/ci/
// variables_finder.rb, app/services/ci/change_variable_service.rb, the models app/models/ci/
// variable.rb and ci/group_variable.rb with the concerns Ci::HasVariable, Ci::Maskable,
// Ci::RawVariable and Ci::HidableVariable, and lib/api/entities/ci/variable.rb for the replies.
//
// Model errors go through `render_validation_error!` (lib/api/helpers.rb): 400 with the errors
// hash, `{"message":{"value":["is invalid"]}}`.
import { isReply, paginate } from './sim-pagination.js';
import type { Route, RouteContext } from './sim-routing.js';
import type { SimState, StoredVariable } from './sim-state.js';
import { SINCE } from './sim-version.js';
import type { ModelErrors, Params } from './sim-validation.js';
import { apiError, forbidden, grapeError, notFound } from './sim-replies.js';
import type { Reply } from './sim-replies.js';

type OwnerType = StoredVariable['owner']['type'];
type Owner = StoredVariable['owner'];

/**
 * app/models/concerns/ci/maskable.rb REGEX: 8 or more characters of the Base64 alphabet plus
 * `@`, `:`, `.`, `~` (`\A[a-zA-Z0-9_+=/@:.~-]{8,}\z`), for a masked variable that is expanded.
 */
export const MASKED_VALUE_REGEX = /^[a-zA-Z0-9_+=/@:.~-]{8,}$/;
/**
 * app/models/concerns/ci/maskable.rb MASK_AND_RAW_REGEX `\A\S{8,}\z` (Ruby's \S: not one of
 * space, \t, \n, \v, \f, \r), for a masked variable that is raw.
 */
export const MASKED_RAW_VALUE_REGEX = /^[^ \t\n\v\f\r]{8,}$/;

/** lib/api/helpers/variables_helpers.rb `find_variable`: `conflict!(...)`. */
export const SEVERAL_VARIABLES_MESSAGE =
  "There are multiple variables with provided parameters. Please use 'filter[environment_scope]'";

/** SimState.maskedRawRelaxed, or the version gate when it is null. */
function rawRelaxed(state: SimState): boolean {
  return state.maskedRawRelaxed ?? state.atLeast(SINCE.ciMaskedRawAnyCharacters);
}

function hasDescription(state: SimState): boolean {
  return state.atLeast(SINCE.ciVariableDescription);
}

function hasHidden(state: SimState): boolean {
  return state.atLeast(SINCE.ciHiddenVariables);
}

/**
 * lib/api/entities/ci/variable.rb: variable_type, key, value (nil when hidden,
 * Ci::VariableValue#evaluate), hidden (once the column exists), protected, masked, raw,
 * environment_scope, description (16.2+).
 */
export function variableJson(state: SimState, v: StoredVariable): Record<string, unknown> {
  const json: Record<string, unknown> = {
    variable_type: v.variable_type,
    key: v.key,
    value: v.hidden ? null : v.value,
  };
  if (hasHidden(state)) json['hidden'] = v.hidden;
  json['protected'] = v.protected;
  json['masked'] = v.masked;
  json['raw'] = v.raw;
  json['environment_scope'] = v.environment_scope;
  if (hasDescription(state)) json['description'] = v.description;
  return json;
}

/**
 * `user_project` (find_project!: 404 "Project Not Found", also for a project the caller cannot
 * read) then `authorize! :admin_cicd_variables` (ProjectPolicy: Maintainer or more; admin);
 * `user_group` (find_group!: "Group Not Found") then `authorize! :admin_cicd_variables`
 * (GroupPolicy: Owner; admin). Both `before` blocks run ahead of parameter validation.
 */
function findOwner(ctx: RouteContext, type: OwnerType): Owner | Reply {
  const { state, principal: p } = ctx;
  const raw = ctx.path['id'] ?? '';
  if (type === 'project') {
    const project = state.resolveProject(raw);
    if (!project) return notFound('Project');
    const access = state.projectAccess(project, p.user.id);
    if (!p.admin && access === 0) return notFound('Project');
    if (!p.admin && access < 40) return forbidden();
    return { type, id: project.id };
  }
  const group = state.resolveGroup(raw);
  if (!group) return notFound('Group');
  if (!p.admin && state.groupAccess(group, p.user.id) < 50) return forbidden();
  return { type, id: group.id };
}

/** The resource name `not_found!` uses: 'Variable' (projects) and 'GroupVariable' (groups). */
function variableNotFound(type: OwnerType): Reply {
  return notFound(type === 'project' ? 'Variable' : 'GroupVariable');
}

/** Grape `type: Boolean` (dry-types Params::Bool). */
function coerceBoolean(raw: unknown): boolean | 'invalid' {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'number') return raw === 1 ? true : raw === 0 ? false : 'invalid';
  if (typeof raw !== 'string') return 'invalid';
  const text = raw.trim().toLowerCase();
  if (['true', 't', '1', 'yes', 'y', 'on'].includes(text)) return true;
  if (['false', 'f', '0', 'no', 'n', 'off'].includes(text)) return false;
  return 'invalid';
}

/** Grape `type: String`: numbers and booleans become strings, arrays and hashes are invalid. */
function coerceString(raw: unknown): string | 'invalid' {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return 'invalid';
}

/** One declared parameter: name, type, and `requires`. */
interface Declared {
  name: string;
  type: 'string' | 'boolean' | 'variable_type';
  required?: boolean;
}

/** The attributes a create or update may set, as the model names them. */
interface VariableAttributes {
  key?: string;
  value?: string;
  protected?: boolean;
  masked?: boolean;
  masked_and_hidden?: boolean;
  raw?: boolean;
  variable_type?: 'env_var' | 'file';
  environment_scope?: string;
  description?: string;
}

/**
 * Grape's parameter layer in declaration order: "key is missing", "<name> is invalid",
 * "variable_type does not have a valid value", joined by ", " (Grape::Exceptions::
 * ValidationErrors); `declared_params(include_missing: false)` keeps what was sent.
 */
function declaredParams(
  params: Params,
  declared: readonly Declared[],
): { ok: true; value: VariableAttributes } | { ok: false; reply: Reply } {
  const errors: string[] = [];
  const out: Record<string, unknown> = {};
  for (const d of declared) {
    const raw = params[d.name];
    if (raw === undefined || raw === null) {
      if (d.required) errors.push(`${d.name} is missing`);
      continue;
    }
    if (d.type === 'boolean') {
      const b = coerceBoolean(raw);
      if (b === 'invalid') errors.push(`${d.name} is invalid`);
      else out[d.name] = b;
      continue;
    }
    const s = coerceString(raw);
    if (s === 'invalid') {
      errors.push(`${d.name} is invalid`);
      continue;
    }
    // `values: ::Ci::Variable.variable_types.keys`
    if (d.type === 'variable_type' && s !== 'env_var' && s !== 'file') {
      errors.push(`${d.name} does not have a valid value`);
      continue;
    }
    out[d.name] = s;
  }
  if (errors.length > 0) return { ok: false, reply: grapeError(400, errors.join(', ')) };
  return { ok: true, value: out as VariableAttributes };
}

/** The POST parameters each endpoint declares at this version, in declaration order. */
function createDeclared(state: SimState, type: OwnerType): Declared[] {
  const hidden: Declared[] = hasHidden(state)
    ? [{ name: 'masked_and_hidden', type: 'boolean' }]
    : [];
  const masked: Declared = { name: 'masked', type: 'boolean' };
  return [
    { name: 'key', type: 'string', required: true },
    { name: 'value', type: 'string', required: true },
    { name: 'protected', type: 'boolean' },
    // lib/api/ci/variables.rb declares masked then masked_and_hidden; group_variables.rb the reverse
    ...(type === 'project' ? [masked, ...hidden] : [...hidden, masked]),
    { name: 'raw', type: 'boolean' },
    { name: 'variable_type', type: 'variable_type' },
    { name: 'environment_scope', type: 'string' },
    ...(hasDescription(state) ? [{ name: 'description', type: 'string' } as Declared] : []),
  ];
}

/** The PUT parameters (no masked_and_hidden: hidden cannot be set on update). */
function updateDeclared(state: SimState): Declared[] {
  return [
    { name: 'value', type: 'string' },
    { name: 'protected', type: 'boolean' },
    { name: 'masked', type: 'boolean' },
    { name: 'environment_scope', type: 'string' },
    { name: 'raw', type: 'boolean' },
    { name: 'variable_type', type: 'variable_type' },
    ...(hasDescription(state) ? [{ name: 'description', type: 'string' } as Declared] : []),
  ];
}

/**
 * `filter[environment_scope]`: a form or query parameter `filter[environment_scope]=x` (flat
 * here) or a JSON `{"filter":{"environment_scope":"x"}}`. VariablesFinder uses it when present?
 * (an empty string is no filter).
 */
function filterScope(params: Params): { sent: boolean; scope: string | null } {
  const flat = params['filter[environment_scope]'];
  const nested = params['filter'];
  const sent = flat !== undefined || nested !== undefined;
  let scope: unknown = flat;
  if (scope === undefined && typeof nested === 'object' && nested !== null) {
    scope = (nested as Record<string, unknown>)['environment_scope'];
  }
  return { sent, scope: typeof scope === 'string' && scope.trim() !== '' ? scope : null };
}

/** Whether this endpoint reads `filter` (groups: 16.9+). */
function filterSupported(state: SimState, type: OwnerType): boolean {
  return type === 'project' || state.atLeast(SINCE.groupVariableFilter);
}

/**
 * lib/api/helpers/variables_helpers.rb `find_variable`: VariablesFinder (by key, then by
 * `filter[environment_scope]` when given); several -> 409 conflict!, none -> nil.
 */
function findVariable(ctx: RouteContext, owner: Owner): StoredVariable | null | Reply {
  const key = ctx.path['key'] ?? '';
  let found = ctx.state.variablesOfOwner(owner).filter((v) => v.key === key);
  const filter = filterSupported(ctx.state, owner.type) ? filterScope(ctx.params).scope : null;
  if (filter !== null) found = found.filter((v) => v.environment_scope === filter);
  if (found.length > 1) return apiError(409, SEVERAL_VARIABLES_MESSAGE);
  return found[0] ?? null;
}

/** ChangeVariableService#find_variable: `container.variables.find_by!(key:)`, lowest id. */
function findByKey(state: SimState, owner: Owner, key: string): StoredVariable | undefined {
  return state.variablesOfOwner(owner).find((v) => v.key === key);
}

/**
 * The model validations in the order Rails runs them (Ci::HasVariable: key presence, length,
 * format; Ci::Maskable: value format; Ci::HidableVariable on update; the class: description
 * length (projects), key uniqueness per owner and environment_scope).
 */
function validateVariable(
  state: SimState,
  v: Omit<StoredVariable, 'id'>,
  existing: StoredVariable | null,
): ModelErrors | null {
  const errors: ModelErrors = {};
  const add = (attr: string, msg: string): void => {
    (errors[attr] ??= []).push(msg);
  };
  // app/models/concerns/ci/has_variable.rb: presence, length { maximum: 255 }, format
  if (v.key.trim() === '') add('key', "can't be blank");
  if (v.key.length > 255) add('key', 'is too long (maximum is 255 characters)');
  if (!/^[a-zA-Z0-9_]+$/.test(v.key)) add('key', "can contain only letters, digits and '_'.");
  // app/models/concerns/ci/maskable.rb: REGEX if masked_and_expanded?, MASK_AND_RAW_REGEX if masked_and_raw?
  if (v.masked) {
    const re = v.raw && rawRelaxed(state) ? MASKED_RAW_VALUE_REGEX : MASKED_VALUE_REGEX;
    if (!re.test(v.value)) add('value', 'is invalid');
  }
  // app/models/concerns/ci/hidable_variable.rb `validate_masked_and_hidden_on_update`
  if (existing && hasHidden(state) && existing.hidden && v.masked !== existing.masked) {
    add('base', 'The visibility setting cannot be changed for masked and hidden variables.');
  }
  // app/models/ci/variable.rb `validates :description, length: { maximum: 255 }`
  if (v.owner.type === 'project' && v.description !== null && v.description.length > 255) {
    add('description', 'is too long (maximum is 255 characters)');
  }
  // app/models/ci/variable.rb, group_variable.rb: `validates :key, uniqueness: { scope:
  // [:project_id|:group_id, :environment_scope], message: "(%{value}) has already been taken" }`
  const taken = state
    .variablesOfOwner(v.owner)
    .some((o) => o !== existing && o.key === v.key && o.environment_scope === v.environment_scope);
  if (taken) add('key', `(${v.key}) has already been taken`);
  return Object.keys(errors).length > 0 ? errors : null;
}

/** lib/api/helpers.rb `render_validation_error!`: 400 `{"message": errors.messages}`. */
function validationError(errors: ModelErrors): Reply {
  return apiError(400, errors);
}

/**
 * Group environment scopes are a Premium feature: ee/lib/ee/api/helpers/variables_helpers.rb
 * `filter_variable_parameters` deletes `environment_scope` from a group's POST and PUT unless
 * `scoped_variables_available?` (licensed feature group_scoped_ci_variables), so on a Free group
 * (plan 'free': the top-level group's on GitLab.com, the licence's on self-managed) the create
 * answers 201 with '*' and an update keeps the scope. Projects are not filtered.
 */
function scopeAllowed(state: SimState, owner: Owner): boolean {
  if (owner.type === 'project') return true;
  const group = state.resolveGroup(String(owner.id));
  return group ? state.rootOf(group).plan !== 'free' : true;
}

function list(ctx: RouteContext, type: OwnerType): Reply {
  const owner = findOwner(ctx, type);
  if (isReply(owner)) return owner;
  // `present paginate(variables)`
  const page = paginate(ctx.state.variablesOfOwner(owner), ctx.params, ctx.url, ctx.baseUrl);
  if (isReply(page)) return page;
  return {
    status: 200,
    body: page.page.map((v) => variableJson(ctx.state, v)),
    headers: page.headers,
  };
}

function show(ctx: RouteContext, type: OwnerType): Reply {
  const owner = findOwner(ctx, type);
  if (isReply(owner)) return owner;
  const found = findVariable(ctx, owner);
  if (isReply(found)) return found;
  if (!found) return variableNotFound(type);
  return { status: 200, body: variableJson(ctx.state, found) };
}

/** `post ':id/variables'`: ChangeVariableService :create (masked_and_hidden -> masked + hidden). */
function create(ctx: RouteContext, type: OwnerType): Reply {
  const { state } = ctx;
  const owner = findOwner(ctx, type);
  if (isReply(owner)) return owner;
  const declared = declaredParams(ctx.params, createDeclared(state, type));
  if (!declared.ok) return declared.reply;
  const a = declared.value;
  // change_variable_service.rb `create_variable_params`
  const hidden = a.masked_and_hidden === true;
  const fields: Omit<StoredVariable, 'id'> = {
    owner,
    variable_type: a.variable_type ?? 'env_var',
    // Ci::HasVariable `key=`: `new_key.to_s.strip`
    key: (a.key ?? '').trim(),
    value: a.value ?? '',
    protected: a.protected ?? false,
    masked: hidden ? true : (a.masked ?? false),
    hidden,
    raw: a.raw ?? false,
    environment_scope:
      a.environment_scope !== undefined && scopeAllowed(state, owner) ? a.environment_scope : '*',
    description: a.description ?? null,
  };
  const errors = validateVariable(state, fields, null);
  if (errors) return validationError(errors);
  // Grape: a POST answers 201 Created
  return { status: 201, body: variableJson(state, state.storeVariable(fields)), stored: true };
}

/**
 * `put ':id/variables/:key'`: projects find_variable (409/404) then update with the declared
 * parameters but `key` and `filter`; groups use find_variable only when `filter` is sent (16.9+),
 * else ChangeVariableService finds `find_by!(key:)` (the first; RecordNotFound -> 404).
 */
function update(ctx: RouteContext, type: OwnerType): Reply {
  const { state } = ctx;
  const owner = findOwner(ctx, type);
  if (isReply(owner)) return owner;
  const declared = declaredParams(ctx.params, updateDeclared(state));
  if (!declared.ok) return declared.reply;
  const key = ctx.path['key'] ?? '';
  let target: StoredVariable | undefined;
  if (type === 'project') {
    const found = findVariable(ctx, owner);
    if (isReply(found)) return found;
    if (!found) return variableNotFound(type);
    target = found;
  } else {
    const useFilter = filterSupported(state, type) && filterScope(ctx.params).sent;
    if (useFilter) {
      const found = findVariable(ctx, owner);
      if (isReply(found)) return found;
      // change_variable_service.rb `params[:variable] || find_variable`: no match falls back to
      // the first variable with the key
      target = found ?? findByKey(state, owner, key);
    } else {
      target = findByKey(state, owner, key);
    }
    // group_variables.rb `rescue ::ActiveRecord::RecordNotFound; not_found!('GroupVariable')`
    if (!target) return variableNotFound(type);
  }
  const a = declared.value;
  const next: Omit<StoredVariable, 'id'> = {
    ...target,
    value: a.value ?? target.value,
    protected: a.protected ?? target.protected,
    masked: a.masked ?? target.masked,
    raw: a.raw ?? target.raw,
    variable_type: a.variable_type ?? target.variable_type,
    environment_scope:
      a.environment_scope !== undefined && scopeAllowed(state, owner)
        ? a.environment_scope
        : target.environment_scope,
    description: a.description ?? target.description,
  };
  const errors = validateVariable(state, next, target);
  if (errors) return validationError(errors);
  Object.assign(target, next);
  return { status: 200, body: variableJson(state, target), stored: true };
}

/** `delete ':id/variables/:key'`: find_variable, destroy, 204 (no_content! / destroy_conditionally!). */
function destroy(ctx: RouteContext, type: OwnerType): Reply {
  const owner = findOwner(ctx, type);
  if (isReply(owner)) return owner;
  const found = findVariable(ctx, owner);
  if (isReply(found)) return found;
  if (!found) return variableNotFound(type);
  ctx.state.deleteVariable(found);
  return { status: 204 };
}

function routesFor(type: OwnerType): Route[] {
  const base = `${type === 'project' ? 'projects' : 'groups'}/:id/variables`;
  return [
    { method: 'GET', path: base, handler: (ctx) => list(ctx, type) },
    { method: 'POST', path: base, handler: (ctx) => create(ctx, type) },
    { method: 'GET', path: `${base}/:key`, handler: (ctx) => show(ctx, type) },
    { method: 'PUT', path: `${base}/:key`, handler: (ctx) => update(ctx, type) },
    { method: 'DELETE', path: `${base}/:key`, handler: (ctx) => destroy(ctx, type) },
  ];
}

/**
 * The owner of a variable by ID or path, as its callers look it up: lib/api/projects.rb
 * `get ':id'` (find_project!: 404 "Project Not Found" for a project the caller cannot read) and
 * lib/api/groups.rb `get ':id'` (find_group!: "Group Not Found"); private projects and groups
 * only, so any membership reads them. A few fields of Entities::Project and Entities::Group.
 */
const ownerRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: 'projects/:id',
    handler: ({ state, principal: p, path }) => {
      const project = state.resolveProject(path['id'] ?? '');
      if (!project || (!p.admin && state.projectAccess(project, p.user.id) === 0)) {
        return notFound('Project');
      }
      return {
        status: 200,
        body: {
          id: project.id,
          path_with_namespace: project.fullPath,
          path: project.fullPath.split('/').pop(),
          namespace: { id: project.namespaceId },
        },
      };
    },
  },
  {
    method: 'GET',
    path: 'groups/:id',
    handler: ({ state, principal: p, path }) => {
      const group = state.resolveGroup(path['id'] ?? '');
      if (!group || (!p.admin && state.groupAccess(group, p.user.id) === 0)) {
        return notFound('Group');
      }
      return {
        status: 200,
        body: {
          id: group.id,
          full_path: group.fullPath,
          path: group.fullPath.split('/').pop(),
          parent_id: group.parentId,
        },
      };
    },
  },
];

/** lib/api/ci/variables.rb and lib/api/group_variables.rb, and their owners' look-up. */
export const ciVariableRoutes: readonly Route[] = [
  ...routesFor('project'),
  ...routesFor('group'),
  ...ownerRoutes,
];
