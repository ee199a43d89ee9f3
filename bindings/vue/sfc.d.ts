// Lets tsc type `import X from './X.vue'` across the repo (bindings/vue tests,
// examples/vue); Vite's Vue plugin compiles the files themselves.
declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<any>
  export default component
}
