import '../browser-main.js';
