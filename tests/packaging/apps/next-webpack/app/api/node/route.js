// The Next.js app's Node-runtime route handler, built here with `next build --webpack`.
export { POST } from '../../../../next/app/api/node/route.js';
