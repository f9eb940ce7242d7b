import { mount } from 'svelte';
import App from './App.svelte';
import './app/app.css';
import { workbench } from './app/workbench.svelte.ts';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target });
void workbench.init();
