/**
 * The "Test connection" button: queues a check through admin-ajax, then polls for the agent's
 * answer and shows it. Everything the server sends is inserted as text, never as HTML.
 */
( function () {
	'use strict';
	var settings = window.mlConnectorCheck;
	var button = document.getElementById( 'ml-connector-check' );
	var output = document.getElementById( 'ml-connector-check-result' );
	if ( ! settings || ! button || ! output ) {
		return;
	}

	function post( action, fields ) {
		var body = new URLSearchParams( fields );
		body.set( 'action', action );
		body.set( 'nonce', settings.nonce );
		return fetch( settings.ajaxUrl, { method: 'POST', credentials: 'same-origin', body: body } )
			.then( function ( response ) { return response.json(); } );
	}

	function line( text, className ) {
		var p = document.createElement( 'p' );
		p.textContent = text;
		if ( className ) {
			p.className = className;
		}
		output.appendChild( p );
	}

	function show( answer ) {
		output.textContent = '';
		line( answer.summary, answer.ok ? 'ml-connector-ok' : 'ml-connector-failed' );
		if ( answer.companies.length ) {
			line( settings.companies + ' ' + answer.companies.join( ', ' ) );
		}
		var list = document.createElement( 'ul' );
		answer.checks.forEach( function ( check ) {
			var item = document.createElement( 'li' );
			item.textContent = ( check.ok ? '✔ ' : '✘ ' ) + check.name + ' (' + check.millis + ' ms)' + ( check.detail ? ': ' + check.detail : '' );
			list.appendChild( item );
		} );
		output.appendChild( list );
	}

	function poll( requestId, deadline ) {
		post( 'ml_connector_check_result', { request_id: requestId } ).then( function ( reply ) {
			if ( ! reply.success ) {
				output.textContent = reply.data && reply.data.message ? reply.data.message : settings.failed;
				button.disabled = false;
				return;
			}
			if ( reply.data.done ) {
				show( reply.data );
				button.disabled = false;
				return;
			}
			output.textContent = reply.data.message;
			if ( Date.now() > deadline ) {
				line( settings.timedOut );
				button.disabled = false;
				return;
			}
			window.setTimeout( function () { poll( requestId, deadline ); }, 1500 );
		} );
	}

	button.addEventListener( 'click', function () {
		button.disabled = true;
		output.textContent = '';
		post( 'ml_connector_check_start', {} ).then( function ( reply ) {
			if ( ! reply.success ) {
				output.textContent = reply.data && reply.data.message ? reply.data.message : settings.failed;
				button.disabled = false;
				return;
			}
			output.textContent = reply.data.message;
			poll( reply.data.request_id, Date.now() + reply.data.wait_seconds * 1000 );
		} ).catch( function () {
			output.textContent = settings.failed;
			button.disabled = false;
		} );
	} );
}() );
