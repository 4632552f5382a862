// Ambient declaration of the small part of `@osd/config-schema` that server/index.ts uses, so that the
// repository type-checks without OSD's packages. Inside an OSD source tree the real package is used at runtime
// (OSD refuses a config schema that is not an instance of its own Type class).
declare module '@osd/config-schema' {
  export interface Type<V> {
    readonly type: V;
    validate(value: unknown, context?: Record<string, unknown>, namespace?: string): V;
  }
  export type TypeOf<RT extends Type<unknown>> = RT['type'];
  type Props = Record<string, Type<unknown>>;
  export const schema: {
    object<P extends Props>(props: P, options?: { unknowns?: 'forbid' | 'allow' | 'ignore' }): Type<{ [K in keyof P]: TypeOf<P[K]> }>;
    boolean(options?: { defaultValue?: boolean }): Type<boolean>;
    string(options?: { defaultValue?: string; minLength?: number; maxLength?: number; validate?: (v: string) => string | void }): Type<string>;
    number(options?: { defaultValue?: number; min?: number; max?: number }): Type<number>;
    arrayOf<T>(item: Type<T>, options?: { defaultValue?: T[]; maxSize?: number }): Type<T[]>;
  };
}
