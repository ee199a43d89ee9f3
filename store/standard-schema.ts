/** What the store needs of a validation library: the Standard Schema v1 interface. */

/**
 * The Standard Schema v1 interface (zod, valibot, arktype…).
 *
 * @example
 * store.node('user:1', { fetcher, schema: z.object({ name: z.string() }) })
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1
    readonly vendor: string
    readonly validate: (
      value: unknown,
    ) =>
      | { readonly value: Output; readonly issues?: undefined }
      | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> }> }
      | Promise<
          | { readonly value: Output; readonly issues?: undefined }
          | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> }> }
        >
    readonly types?: { readonly input: Input; readonly output: Output } | undefined
  }
}
