import { z } from 'zod';

/**
 * A database's `_security` object as mesh.yaml declares it: admins and members, each by user names
 * and roles (CouchDB's shape: couch_db:validate_security_object wants `names` and `roles` lists of
 * strings). Absent lists are empty, as CouchDB reads them; unknown keys are refused (a typo such as
 * `member:` would otherwise silently open the database).
 */
const Strings = (what: string) =>
  z
    .array(z.string().min(1, `a non-empty ${what}`))
    .default([])
    .meta({ description: `${what}s (default none)` });

export const SecurityGroupSchema = z
  .strictObject({ names: Strings('user name'), roles: Strings('role') })
  .meta({ description: '{ names: [user…], roles: [role…] }' });

const EMPTY_GROUP = { names: [], roles: [] };

export const SecuritySchema = z
  .strictObject({
    admins: SecurityGroupSchema.default(EMPTY_GROUP).meta({
      description: 'database admins: may change design documents and _security',
    }),
    members: SecurityGroupSchema.default(EMPTY_GROUP).meta({
      description: 'members: may read and write documents (none = anyone may, as CouchDB)',
    }),
  })
  .meta({
    description:
      "the database's _security object, applied on every node carrying it: { admins: { names, roles }, members: { names, roles } }",
  });

export interface SecurityGroup {
  names: string[];
  roles: string[];
}

/** A resolved `_security` object: both groups, both lists, always present. */
export interface SecurityObject {
  admins: SecurityGroup;
  members: SecurityGroup;
}
