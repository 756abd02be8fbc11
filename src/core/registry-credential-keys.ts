/**
 * Where `registries.<host>` in archpin's config says a registry's credentials come from: read by
 * the lookup's credential resolver, and checked by `config validate` for keys that do not go together.
 */
export interface RegistryCredentialKeys {
  readonly username?: string | undefined;
  readonly usernameEnv?: string | undefined;
  readonly passwordEnv?: string | undefined;
  readonly passwordFile?: string | undefined;
  readonly tokenEnv?: string | undefined;
  readonly tokenFile?: string | undefined;
  readonly credentialHelper?: string | undefined;
}
