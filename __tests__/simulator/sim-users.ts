// lib/api/users.rb (users and the current user) and lib/api/metadata.rb / version.rb.
import type { Route } from './sim-routing.js';
import type { SimState, StoredUser } from './sim-state.js';
import { catchAllNotFound, notFound } from './sim-replies.js';

/** lib/api/users.rb `allow_access_with_scope :read_user, if: -> (request) { request.get? || request.head? }` */
export const usersScopes = (_state: SimState, method: string): string[] =>
  method === 'GET' || method === 'HEAD' ? ['read_user'] : [];

/** lib/api/entities/user_basic.rb (the fields the client reads). */
export function basicUser(u: StoredUser): Record<string, unknown> {
  return { id: u.id, username: u.username, name: u.name, state: u.state };
}

export const userRoutes: readonly Route[] = [
  {
    // lib/api/users.rb `resource :user` `get`: UserWithAdmin (with is_admin) for an
    // administrator (`current_user.admin?`, Admin Mode not needed), else UserPublic.
    method: 'GET',
    path: 'user',
    extraScopes: usersScopes,
    handler: ({ principal }) => {
      const u = principal.user;
      const body: Record<string, unknown> = { ...basicUser(u) };
      if (u.isAdmin) body['is_admin'] = true;
      return { status: 200, body };
    },
  },
  {
    // lib/api/version.rb / metadata.rb: `authenticate!`, read_user and read_api allowed
    method: 'GET',
    path: 'version',
    extraScopes: usersScopes,
    handler: ({ state }) => ({ status: 200, body: { ...state.version } }),
  },
  {
    // lib/api/users.rb `get` with `username`: UsersFinder exact, case-insensitive match
    method: 'GET',
    path: 'users',
    extraScopes: usersScopes,
    handler: ({ state, params }) => {
      const wanted = params['username'];
      let users = state.allUsers();
      if (typeof wanted === 'string') {
        users = users.filter((u) => u.username.toLowerCase() === wanted.toLowerCase());
      }
      return { status: 200, body: users.map(basicUser) };
    },
  },
  {
    // lib/api/users.rb `get ":id"` (requirements id: /[0-9]*/, else the catch-all):
    // `not_found!('User')`
    method: 'GET',
    path: 'users/:id',
    extraScopes: usersScopes,
    handler: ({ state, path }) => {
      const raw = path['id'] ?? '';
      if (!/^\d+$/.test(raw)) return catchAllNotFound();
      const user = state.findUser(Number(raw));
      return user ? { status: 200, body: basicUser(user) } : notFound('User');
    },
  },
];
